"""Accord progress service: Measurements, ratings, check-ins and questionnaires; milestones reached and reviews due."""
