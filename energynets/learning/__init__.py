"""Learning rules and trainers: functions of data (and a model) returning a model."""
