"""Router state: embedded (process memory) by default, shared through Redis in team mode."""
