# A room's name is unique among the rooms one person may see (issue 12 item 6).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0004_venue_details'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='room',
            name='room_unique_name_per_venue',
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(
                condition=models.Q(space__isnull=True), fields=('venue', 'name'),
                name='room_unique_shared_name_per_venue',
            ),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(
                condition=models.Q(space__isnull=False), fields=('venue', 'space', 'name'),
                name='room_unique_space_name_per_venue',
            ),
        ),
    ]
