"""What is specific to emulation campaigns: service-task handlers, rules, documents, demo data."""
