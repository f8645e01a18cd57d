"""CRM import: accounts and opportunities from Salesforce, HubSpot or generic CSV exports."""
