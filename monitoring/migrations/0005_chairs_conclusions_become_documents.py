"""A meeting's Chair's Conclusions were an address on the meeting (``Meeting.conclusions_url``); they are now a
document of the repository (kind "Chair's Conclusions", a link, the meeting set), and the field goes."""

from django.db import migrations


def conclusions_to_documents(apps, schema_editor):
    Meeting = apps.get_model("monitoring", "Meeting")
    Document = apps.get_model("monitoring", "Document")
    taken = set(Document.objects.values_list("slug", flat=True))
    has_conclusions = Document.objects.filter(kind="chairs_conclusions", language="en").values("meeting_id")
    for meeting in Meeting.objects.exclude(conclusions_url="").exclude(pk__in=has_conclusions).order_by("pk"):
        name = f"{meeting.kind.upper()}{meeting.number}" if meeting.number is not None else meeting.title
        slug = base = f"chairs-conclusions-{meeting.kind}{meeting.number or ''}-{meeting.year}"
        counter = 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        taken.add(slug)
        Document.objects.create(
            title=f"Chair's Conclusions of {name} ({meeting.year})",
            slug=slug,
            kind="chairs_conclusions",
            date=meeting.end_date or meeting.start_date,
            language="en",
            meeting=meeting,
            url=meeting.conclusions_url,
        )


def documents_to_conclusions(apps, schema_editor):
    Meeting = apps.get_model("monitoring", "Meeting")
    Document = apps.get_model("monitoring", "Document")
    # Linked Chair's Conclusions go back into the field (uploaded files have no place there and stay documents).
    for document in Document.objects.filter(kind="chairs_conclusions").exclude(url="").order_by("-pk"):
        Meeting.objects.filter(pk=document.meeting_id).update(conclusions_url=document.url[:500])
        document.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_meetings_documents_news"),
    ]

    operations = [
        migrations.RunPython(conclusions_to_documents, documents_to_conclusions),
        migrations.RemoveField(model_name="historicalmeeting", name="conclusions_url"),
        migrations.RemoveField(model_name="meeting", name="conclusions_url"),
    ]
