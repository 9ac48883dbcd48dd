"""Demo data: a believable week at two Derby charities (`manage.py load_demo`)."""
