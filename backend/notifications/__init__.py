"""The outbox: every confirmation, offer and cancellation becomes a Notification
row in the same transaction, then `manage.py send_notifications` delivers it by
email (Django's mail backend) or SMS (a pluggable backend; console by default)."""
