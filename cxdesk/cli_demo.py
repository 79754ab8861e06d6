"""`cxdesk demo`: placeholder until the demo generator lands."""
