"""What the slow tests, the conversation runner and the benchmark start and stop:
real servers on free loopback ports, fresh databases, the full stack, a scale-out
cluster behind HAProxy. Test and bench code only; nothing in bot/ imports it."""
