"""申报材料: what a campaign's named material slots hold for one application, and what blocks a submit.

Reads only. A campaign without slots has nothing to say here, so its applications behave as before.
"""

from dataclasses import dataclass, field

from .models import Application, CaseAttachment, MaterialSlot
from .uploads import MATERIAL_KIND_LABELS, material_kind_of

MB = 1024 * 1024


@dataclass
class MaterialRow:
    """One slot of one application: the files given and what is wrong with them."""

    slot: MaterialSlot
    files: list[CaseAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def key(self) -> str:
        """The editor's error key for this slot."""
        return material_key(self.slot)


def material_key(slot: MaterialSlot) -> str:
    return f"material_{slot.pk}"


# 佐证材料: a slot per observation point of the rubric is named by its path, "一级 › 二级 › 观测点"; the editor
# and the formal-check page group such slots under their first level, read from the name (cases does not read
# the rubric, which is the reviews app's).
EVIDENCE_SEPARATOR = " › "


def evidence_slot_name(path: list[str]) -> str:
    """The slot name of an observation point from its path, within MaterialSlot.name's length. When the whole
    path does not fit, the upper levels give way first (each shortened to what is left, with an ellipsis), so
    the observation point's own name is kept whole as long as it fits alone."""
    limit = MaterialSlot._meta.get_field("name").max_length
    names = [" ".join(str(n).split()) for n in path]
    full = EVIDENCE_SEPARATOR.join(names)
    if len(full) <= limit:
        return full
    *upper, leaf = names
    if len(leaf) > limit:
        return leaf[: limit - 1] + "…"
    room = limit - len(leaf) - len(EVIDENCE_SEPARATOR) * len(upper)
    shortened = []
    for i, name in enumerate(upper):
        share = max(room // (len(upper) - i), 0)
        if len(name) > share:
            name = name[: share - 1] + "…" if share >= 2 else ""
        room -= len(name)
        shortened.append(name)
    kept = [n for n in shortened if n]
    return EVIDENCE_SEPARATOR.join([*kept, leaf])[:limit]


@dataclass
class MaterialGroup:
    """Consecutive slots under one heading: the first level of a 佐证材料 path, or "" for plain slots."""

    heading: str
    rows: list[MaterialRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def uploaded(self) -> int:
        return sum(1 for row in self.rows if row.files)


def material_groups(rows: list[MaterialRow]) -> list[MaterialGroup]:
    """The rows in their order, consecutive ones with the same first path level in one group. Each row gets
    `label`: its name without the group's heading."""
    groups: list[MaterialGroup] = []
    for row in rows:
        heading, sep, rest = row.slot.name.partition(EVIDENCE_SEPARATOR)
        if not sep:
            heading, rest = "", row.slot.name
        row.label = rest
        if not groups or groups[-1].heading != heading:
            groups.append(MaterialGroup(heading=heading))
        groups[-1].rows.append(row)
    return groups


def material_rows(
    *, slots: list[MaterialSlot], attachments: list[CaseAttachment], final: bool = True
) -> list[MaterialRow]:
    """A row per slot, in the slots' order, with its files. Over-count, a type the slot no longer accepts and
    a file over the size limit are problems at any time (staff may tighten a slot after an upload); a missing
    required material only when `final` (at submit and on the formal-check page)."""
    by_slot: dict[int, list[CaseAttachment]] = {}
    for attachment in attachments:
        if attachment.slot_id is not None:
            by_slot.setdefault(attachment.slot_id, []).append(attachment)
    rows = []
    for slot in slots:
        row = MaterialRow(slot=slot, files=by_slot.get(slot.pk, []))
        count = len(row.files)
        if final and slot.required and count == 0:
            row.problems.append(f"“{slot.name}”为必交材料，尚未上传。")
        if count > slot.max_files:
            row.problems.append(f"“{slot.name}”最多 {slot.max_files} 个文件，现有 {count} 个，请删除多余的文件。")
        for attachment in row.files:
            kind = material_kind_of(attachment.content_type)
            if kind not in (slot.allowed_types or []):
                found = MATERIAL_KIND_LABELS.get(kind or "", "未知格式")
                row.problems.append(
                    f"“{slot.name}”的文件“{attachment.original_name}”是 {found}，此项只接受 {slot.type_labels()}。"
                )
            if attachment.size > slot.max_size_mb * MB:
                row.problems.append(
                    f"“{slot.name}”的文件“{attachment.original_name}”超过 {slot.max_size_mb} MB 的上限。"
                )
        rows.append(row)
    return rows


def application_material_problems(application: Application) -> dict[str, list[str]]:
    """What blocks the submit in the campaign's named materials: a message per missing required slot, per
    slot with too many files and per file of a type or size the slot does not accept, keyed by slot."""
    slots = list(MaterialSlot.objects.filter(campaign_id=application.campaign_id))
    if not slots:
        return {}
    attachments = list(CaseAttachment.objects.filter(application=application, slot__isnull=False))
    return {row.key: row.problems for row in material_rows(slots=slots, attachments=attachments) if row.problems}
