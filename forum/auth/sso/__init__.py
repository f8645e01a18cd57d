"""Single sign-on with OpenID Connect (Authlib): providers, identities, the sign-in flow."""
