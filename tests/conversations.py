"""Scripted replies shared by the end-to-end tests."""

from __future__ import annotations

# The supportive manager, played well: reaches `granted` (seed-independent path).
GRANTED = [
    "Hi Priya, could we book 30 minutes on Thursday to discuss my performance and a bonus?",
    "Thanks for making time. I wanted to review my performance this year and discuss a bonus.",
    "I rebuilt the ranking model; click-through rose 12%, about $400k a year in revenue.",
    "I'd like a bonus of 8%, in line with market data for my level.",
    "Thank you, I really appreciate it. I'm committed to the team.",
    "Hi Priya, thanks for today. To recap: you'll put the 8% forward at calibration this week.",
]
