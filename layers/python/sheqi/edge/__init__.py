"""The HTTP edge: routing API Gateway events, parsing requests, turning errors into responses."""
