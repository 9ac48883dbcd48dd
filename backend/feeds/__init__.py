"""iCal feeds (RFC 5545): public organisation and activity feeds, a personal
feed behind a secret, rotatable token (stored hashed), and single-session
downloads. Every feed starts from the access policy's querysets."""
