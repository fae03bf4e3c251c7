"""The quality pages under /qa/: rules, inspections and appeals, sampling, insights."""

from __future__ import annotations

from kefu.quality import insight_views, inspection_views, rules_views, sampling_views

urlpatterns = [
    *rules_views.urlpatterns,
    *inspection_views.urlpatterns,
    *sampling_views.urlpatterns,
    *insight_views.urlpatterns,
]
