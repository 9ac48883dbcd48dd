"""Organisations (charities), their venues and rooms, and staff roles.

Staff roles are django-guardian object permissions on the Organisation:
`coordinate_organisation` (runs the timetable) and `tutor_organisation`.
"""
