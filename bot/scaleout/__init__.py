"""Scale-out pieces that ship with the product: the atomic Redis lock store, the
action gateway, the launcher with the measured fixes and the environment defaults
for endpoints.scale.yml. HAProxy in front of the replicas is configured in
deploy/haproxy/ (docs/SCALEOUT.md)."""
