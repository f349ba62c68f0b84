"""What printed pages share: the CJK font (`fonts`) and A4 PDFs with real text in it (`pdf`). Only the
routes that print import this package."""
