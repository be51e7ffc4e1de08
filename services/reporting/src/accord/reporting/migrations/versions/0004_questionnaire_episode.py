"""The care episode a questionnaire response was completed for (from QuestionnaireCompleted.episode_id): a
therapist sees the responses of their own episodes only. Rows projected before are left without one; the domain
gives them the one episode open when they were recorded (`domain/access.py`).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.questionnaires ADD COLUMN episode_id uuid")


def downgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.questionnaires DROP COLUMN episode_id")
