"""Scale-out helpers: the sticky router in front of Rasa replicas and the
environment defaults for endpoints.scale.yml (see docs/SCALEOUT.md)."""
