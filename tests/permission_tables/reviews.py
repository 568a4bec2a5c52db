from tests.permission_table import FORBIDDEN, LOGIN, OK, row


def build(world):
    pass


ROWS = {
    "reviews:queue": row(
        anonymous=LOGIN, applicant_a=FORBIDDEN, applicant_b=FORBIDDEN, org_admin=FORBIDDEN, reviewer=OK, staff=FORBIDDEN
    ),
}
