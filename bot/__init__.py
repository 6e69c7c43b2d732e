"""Cloud service-assurance assistant: shared package (policy, store, NLU components, web)."""
