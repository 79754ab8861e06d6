"""The documents cxdesk publishes: pages and reports people read."""
