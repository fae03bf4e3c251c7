"""The staff search page (TEC-5): one box over published articles and active FAQ entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import InvalidInput
from kefu.knowledge.models import ArticleType, KnowledgeCategory
from kefu.knowledge.search import search
from kefu.knowledge.search_selectors import (
    category_subtree_ids,
    search_filters_clean,
    search_query_clean,
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=1_000)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Articles and FAQ")), ("article", _("Articles")), ("faq", _("FAQ"))],
    )
    type = forms.ChoiceField(
        label=_("Article type"),
        required=False,
        choices=[("", _("Every type")), *ArticleType.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=KnowledgeCategory.objects.all(),
        empty_label=_("Every category"),
    )


@login_required
def knowledge_search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits: list[Any] = []
    searched = False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        try:
            q = search_query_clean(data["q"])
            search_filters_clean(kind=data["kind"], type=data["type"])
            category = data["category"]
            hits = search(
                q,
                kind=data["kind"],
                type=data["type"],
                category_ids=category_subtree_ids(category.pk if category else None),
            )
            searched = True
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "knowledge/search.html",
        {"form": form, "hits": hits, "searched": searched},
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("search/", knowledge_search_page, name="knowledge-search"),
]
