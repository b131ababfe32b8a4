"""Operations: Prometheus metrics, the /healthz /readyz /metrics HTTP server, readiness checks and
operator alerts. Nothing here ever sees witness data: only counts, ages and states."""
