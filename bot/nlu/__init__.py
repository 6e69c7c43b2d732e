"""Custom Rasa NLU pieces: in-process Duckling, entity overlap resolution, spaCy pipeline builder."""
