"""Job matches: a participant, an employer and a job, through its stages."""
