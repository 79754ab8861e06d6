"""The demo office: a simulated Springfield field office, built from a seed.

Outside the domain: nothing imports it but the command line and the tests.
"""
