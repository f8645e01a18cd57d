"""The bare Flask-SQLAlchemy app the HTTP benchmark compares every page with (the "ceiling"):
one route, one query on the same database, served by gunicorn with the same settings.

    gunicorn -w 2 -b 127.0.0.1:0 benchmarks.ceiling:app     # DATABASE_URL as for the app
"""

import os

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from markupsafe import escape

db = SQLAlchemy()
app = Flask(__name__)
url = os.environ["DATABASE_URL"]
if url.startswith("postgresql://"):  # psycopg 3, as the app uses
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
app.config["SQLALCHEMY_DATABASE_URI"] = url
db.init_app(app)


@app.get("/")
def index():
    name = db.session.scalar(sa.text("SELECT display_name FROM users ORDER BY id LIMIT 1"))
    return f"<!doctype html><title>ceiling</title><p>{escape(name)}</p>"
