"""People with a login. (Participants without a login arrive with registers.)"""
