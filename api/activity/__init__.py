"""What a specialist does: employer contacts, participant meetings, team meetings."""
