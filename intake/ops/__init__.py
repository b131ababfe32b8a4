"""Operations: metrics, the health and webhook HTTP responder, readiness, status, alerts, logs.

Nothing here ever sees witness data: only counts, ages and states.
"""
