# summary/ -- tlsrpt-summary (aggregation and renderers). Never libmilter.
