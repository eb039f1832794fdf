"""The test vector for crates/taskboard-mysql/src/iam.rs, signed by botocore (the AWS CLI's own
signer), an implementation independent of ours. Run with the tools' virtualenv:

    .venv/bin/python infra/tests/rds_token_vector.py > crates/taskboard-mysql/src/iam_token_vector.txt
"""

import datetime
from unittest import mock

import botocore.auth
import botocore.session

AT = datetime.datetime(2026, 11, 24, 12, 0, 0)


def main() -> None:
    session = botocore.session.get_session()
    session.set_credentials(
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token/with+chars="
    )
    client = session.create_client("rds", region_name="eu-west-1")
    frozen = mock.Mock(wraps=datetime.datetime)
    frozen.utcnow.return_value = AT
    frozen.now.return_value = AT.replace(tzinfo=datetime.timezone.utc)
    with mock.patch.object(botocore.auth.datetime, "datetime", frozen):
        print(
            client.generate_db_auth_token(
                DBHostname="taskboard-mysql.proxy-abc123.eu-west-1.rds.amazonaws.com",
                Port=3306,
                DBUsername="taskboard_app",
                Region="eu-west-1",
            )
        )


if __name__ == "__main__":
    main()
