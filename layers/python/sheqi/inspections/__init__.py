"""Inspections: tasks and the 双随机 draw, scan-in, the visit record, ratings, complaints."""
