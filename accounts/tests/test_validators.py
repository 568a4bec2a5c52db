import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import credit_code
from accounts.validators import LettersAndDigitsValidator, mobile_validator, validate_credit_code


@pytest.mark.parametrize("code", [credit_code(7), credit_code(123456), "91350100M000100Y43"])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9132058", "18 位"),
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100YI3", "大写字母"),
        ("", "18 位"),
    ],
)
def test_invalid_credit_codes_are_refused_in_chinese(code, message):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert message in error.value.messages[0]


@pytest.mark.parametrize("phone", ["13912345678", "19800001111", "16612345678"])
def test_mainland_mobile_numbers_pass(phone):
    mobile_validator(phone)


@pytest.mark.parametrize("phone", ["1391234567", "12912345678", "+8613912345678", "139-1234-5678", "abc"])
def test_malformed_mobile_numbers_are_refused(phone):
    with pytest.raises(ValidationError) as error:
        mobile_validator(phone)
    assert "手机号码" in error.value.messages[0]


@pytest.mark.parametrize("password", ["onlyletterspassword", "1234567890123"])
def test_password_must_mix_letters_and_digits(password):
    with pytest.raises(ValidationError):
        LettersAndDigitsValidator().validate(password)


def test_password_with_letters_and_digits_passes():
    LettersAndDigitsValidator().validate("kunshan2026")
