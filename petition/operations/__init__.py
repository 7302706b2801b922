"""What operators use to watch a running site: liveness and readiness probes, metrics."""
