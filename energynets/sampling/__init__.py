"""Dynamics and samplers: functions (model, states, rng, ...) -> states (+ info)."""

from energynets.sampling.dynamics import RecallResult, run_dynamics

__all__ = ["RecallResult", "run_dynamics"]
