"""Presets a new campaign starts from (评选活动模板).

Interface shared by the campaign workspace (new campaign, copy) and the campaign engine (form definitions):
- preset_choices() -> list of (key, label) for a select;
- preset_apply(campaign=..., key=...) sets what the preset decides on an unsaved or saved campaign
  (its form and rules); the caller saves.
The engine work fills PRESETS with the three presets; until then the case award is the only one.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str = ""
    # Campaign field values the preset sets (name -> value); the form definition is one of them once it exists.
    campaign_values: dict = field(default_factory=dict)


CASE_AWARD = "case_award"

PRESETS: dict[str, Preset] = {
    CASE_AWARD: Preset(key=CASE_AWARD, label="优秀社工案例评选", description="昆山市优秀社工案例评选的报名表与规则。"),
}


def preset_choices() -> list[tuple[str, str]]:
    return [(p.key, p.label) for p in PRESETS.values()]


def preset_apply(*, campaign, key: str) -> None:
    """Set the preset's values on `campaign` (not saved here). Unknown keys raise KeyError."""
    preset = PRESETS[key]
    for name, value in preset.campaign_values.items():
        setattr(campaign, name, value() if callable(value) else value)
