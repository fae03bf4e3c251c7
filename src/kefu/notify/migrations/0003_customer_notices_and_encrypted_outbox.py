"""Customer notices and their templates; the outbox learns SMS, claims, and encrypts addresses.

Addresses already in the outbox (staff e-mails until now) are encrypted in place, so the
column holds no address in clear afterwards (SEC-1); going back decrypts them again.
"""

import django.db.models.deletion
import kefu.core.fields
from django.conf import settings
from django.db import migrations, models


def _rewrite_addresses(schema_editor, convert):
    connection = schema_editor.connection
    table = connection.ops.quote_name("notify_outboundmessage")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, to_address FROM {table}")
        rows = [(convert(address), pk) for pk, address in cursor.fetchall() if address]
        if rows:
            cursor.executemany(f"UPDATE {table} SET to_address = %s WHERE id = %s", rows)


def encrypt_addresses(apps, schema_editor):
    from kefu.core.crypto import encrypt_text

    _rewrite_addresses(schema_editor, encrypt_text)


def decrypt_addresses(apps, schema_editor):
    from kefu.core.crypto import decrypt_text

    _rewrite_addresses(schema_editor, decrypt_text)


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_translatable_choice_labels'),
        ('tickets', '0006_notice_and_complaint_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('need_confirmation', 'Need confirmation'), ('progress', 'Progress update'), ('plan', 'Preliminary plan'), ('result', 'Result notice'), ('rectification', 'Rectification result')], max_length=24)),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=16)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='NoticeTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('need_confirmation', 'Need confirmation'), ('progress', 'Progress update'), ('plan', 'Preliminary plan'), ('result', 'Result notice'), ('rectification', 'Rectification result')], max_length=24)),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=16)),
                ('subject', models.CharField(blank=True, max_length=200)),
                ('body', models.TextField()),
                ('updated_at', models.DateTimeField()),
                ('version', models.PositiveIntegerField(default=1)),
            ],
            options={
                'ordering': ['kind', 'channel'],
            },
        ),
        migrations.AddField(
            model_name='outboundmessage',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='channel',
            field=models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], default='email', max_length=16),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting to send'), ('sending', 'Being sent'), ('sent', 'Sent'), ('failed', 'Sending failed'), ('unconfirmed', 'Outcome unknown')], default='pending', max_length=16),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='to_address',
            field=kefu.core.fields.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_addresses, decrypt_addresses),
        migrations.AddIndex(
            model_name='outboundmessage',
            index=models.Index(condition=models.Q(('status', 'sending')), fields=['claimed_at'], name='outbox_claimed_idx'),
        ),
        migrations.AddField(
            model_name='customernotice',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='customernotice',
            name='message',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='notice', to='notify.outboundmessage'),
        ),
        migrations.AddField(
            model_name='customernotice',
            name='ticket',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='tickets.ticket'),
        ),
        migrations.AddField(
            model_name='noticetemplate',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='customernotice',
            index=models.Index(fields=['ticket', 'created_at'], name='notice_ticket_idx'),
        ),
        migrations.AddConstraint(
            model_name='noticetemplate',
            constraint=models.UniqueConstraint(fields=('kind', 'channel'), name='notice_template_once'),
        ),
    ]
