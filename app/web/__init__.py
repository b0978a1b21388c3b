"""Flask blueprints, one per area."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web.chat import bp as chat_bp
    from app.web.main import bp as main_bp
    from app.web.sandbox import bp as sandbox_bp
    from app.web.telegram import bp as telegram_bp
    from app.web.voice import bp as voice_bp
    from app.web.webhooks import bp as webhooks_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(chat_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(sandbox_bp)
    app.register_blueprint(telegram_bp)
    app.register_blueprint(voice_bp)  # phone calls and cached audio (issue 4)

    # Accounts, roles and the staff pages (issue 6). Security goes last: its CSRF
    # exemptions and deny-by-default gate are worked out from every route above.
    from app.web import auth, peer, staff
    from app.web.security import init_security

    app.register_blueprint(auth.bp)
    app.register_blueprint(peer.bp)
    for staff_bp in (staff.coordinator, staff.psw, staff.council, staff.concerns):
        app.register_blueprint(staff_bp)
    from app.web import dashboard  # the PSW dashboard and the regional view (issue 7)

    app.register_blueprint(dashboard.bp)
    from app.web import feedback  # "you said, we did": council pages, /f/<token>, /what-changed (issue 8)

    for feedback_bp in (feedback.council_feedback, feedback.public):
        app.register_blueprint(feedback_bp)
    from app.web import trust  # consent on paper, withdrawal, subject access (issue 9)

    app.register_blueprint(trust.bp)
    init_security(app)
