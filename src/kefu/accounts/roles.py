"""The roles of a contact center (ORG-1) and what each may do.

Roles are Django groups with permissions, created by the data migration
``accounts/0002_create_role_groups``; code asks ``user_has_role`` or checks a permission,
never a username.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    AGENT = "agent", pgettext_lazy("role", "Agent")
    TEAM_LEAD = "team_lead", pgettext_lazy("role", "Team lead")
    QA_SPECIALIST = "qa_specialist", pgettext_lazy("role", "QA specialist")
    COMPLAINT_SPECIALIST = "complaint_specialist", pgettext_lazy("role", "Complaint specialist")
    TRAINER = "trainer", pgettext_lazy("role", "Trainer")
    MANAGER = "manager", pgettext_lazy("role", "Service manager")
    ADMIN = "admin", pgettext_lazy("role", "Administrator")
    # Staff of a back-office department (ORG-2): answers the work routed to the department.
    DEPARTMENT_STAFF = "department_staff", pgettext_lazy("role", "Department staff")
    # A system that reports to kefu (the PBX's CTI events, TEC-7): no person logs in with it.
    INTEGRATION = "integration", pgettext_lazy("role", "System integration")


# Roles that see every ticket: the manager reads reports on all of them, QA inspects any contact
# (QA-2), the administrator configures the center.
ALL_TICKET_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.QA_SPECIALIST})

# Roles allowed to see unmasked personal data (SEC-1); every such display is logged (SEC-3).
UNMASKED_PII_ROLES = frozenset(
    {Role.MANAGER, Role.ADMIN, Role.COMPLAINT_SPECIALIST, Role.TEAM_LEAD}
)

# Roles allowed to cancel a ticket (a cancelled ticket leaves every report).
CANCEL_ROLES = frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN})
