"""Validators for the identifiers users type: mobile numbers, credit codes, passwords."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$",
    message="请输入 11 位中国大陆手机号码，例如 13912345678。",
    code="invalid_mobile",
)

# GB 32100-2015: 18 characters from this alphabet; the last is a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位。", code="credit_code_length")
    if any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        raise ValidationError(
            "统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）。", code="credit_code_chars"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="credit_code_check")


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_letters_digits")

    def get_help_text(self):
        return "密码必须同时包含字母和数字。"


class ChineseMinimumLengthValidator:
    """Django's length rule with a Chinese message (its zh-hans catalogue lacks 5.x's wording)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短：至少需要 {self.min_length} 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


EMAIL_ERROR = {"invalid": "请输入有效的电子邮箱地址，例如 name@example.cn。"}
