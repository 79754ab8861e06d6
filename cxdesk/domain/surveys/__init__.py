"""domain/surveys"""
