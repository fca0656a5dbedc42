"""The plan's structure: strategic objectives, their subgoals and the 17 actions."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb."))


class StrategicObjective(models.Model):
    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[hex_colour],
        help_text=_("Used with the number, never alone, to mark the objective."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        constraints = [models.CheckConstraint(condition=models.Q(number__gte=1), name="objective_number_positive")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plan:objective-detail", kwargs={"slug": self.slug})

    @staticmethod
    def colour_is_valid(colour: str) -> bool:
        return hex_colour.regex.fullmatch(colour or "") is not None

    @property
    def label(self) -> str:
        """An accessible label that does not depend on the colour."""
        return _("Strategic objective %(number)s") % {"number": self.number}


class Subgoal(models.Model):
    objective = models.ForeignKey(
        StrategicObjective, on_delete=models.PROTECT, related_name="subgoals", verbose_name=_("objective")
    )
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d+\.\d+$", _("Enter a code such as 3.2."))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["objective__number", "position"]
        verbose_name = _("subgoal")
        verbose_name_plural = _("subgoals")
        constraints = [models.UniqueConstraint(fields=["objective", "position"], name="subgoal_position_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def get_absolute_url(self) -> str:
        return reverse("plan:subgoal-detail", kwargs={"code": self.code})

    @staticmethod
    def code_sort_key(code: str) -> tuple[int, ...]:
        """Sort codes as numbers ("3.10" after "3.2"); parts that are not ASCII digits are left out."""
        return tuple(int(part) for part in code.split(".") if part.isascii() and part.isdigit())


class ActionQuerySet(models.QuerySet):
    def with_subgoals(self) -> ActionQuerySet:
        return self.prefetch_related(models.Prefetch("subgoals", queryset=Subgoal.objects.select_related("objective")))


class Action(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True, validators=[MinValueValidator(1)])
    description = models.TextField(_("description"))
    subgoals = models.ManyToManyField(Subgoal, related_name="actions", verbose_name=_("subgoals"), blank=True)
    serves_all_objectives = models.BooleanField(
        _("serves every objective"),
        default=False,
        help_text=_("The action's wording serves the whole strategy rather than named subgoals."),
    )
    mapping_rationale = models.TextField(
        _("why these subgoals"),
        blank=True,
        help_text=_("The plan's pictograms were lost; this records how the mapping was inferred."),
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [models.CheckConstraint(condition=models.Q(number__gte=1), name="action_number_positive")]

    def __str__(self) -> str:
        return _("Action %(number)s: %(description)s") % {"number": self.number, "description": self.description}

    def get_absolute_url(self) -> str:
        return reverse("plan:action-detail", kwargs={"number": self.number})
