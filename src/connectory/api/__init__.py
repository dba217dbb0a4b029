"""The HTTP API: the catalogue over HTTP, for platforms and for manual creation (FastAPI).

    GET    /health
    GET    /connectors                                   ConnectorSummary[]
    GET    /connectors/{name}                            Connector
    GET    /connectors/{name}/versions                   VersionInfo[]
    POST   /connectors/{name}/versions[?label=L]         draft a ConnectorVersion given as JSON
    GET    /connectors/{name}/versions/{label}           ConnectorVersion (latest, default resolve)
    GET    /connectors/{name}/versions/{label}/changes?since=L2    Change[] (connectory.changes)
    POST   /connectors/{name}/versions/{label}/publish[?allow_breaking=true]   under the policy
    POST   /connectors/{name}/versions/{label}/deprecate {sunset, replacement}   the deprecation
    GET    /connectors/{name}/default                    what default is and names
    PUT    /connectors/{name}/default {label | null}     set it, or follow the newest published
    DELETE /connectors/{name}/versions/{label}[?confirm=true&reason=...]   409 + blast radius
    GET    /connectors/{name}/vettings[?label=L]         Vetting[], newest first
    POST   /connectors/{name}/versions/{label}/vettings  record a Vetting
    GET    /boards, GET /boards/{name}, POST /boards, POST /boards/{name}/deploy|undeploy
    POST   /hooks/{connector}/{trigger}[?version=L]      a webhook delivery: 202 kept, 200 kept
                                                         before (a replay), 401 refused
    GET    /connectors/{name}/deliveries[?trigger=T&limit=1..1000]   the inbox, newest first
    GET    /openapi.json, /docs                          this API's description (/docs/assets/*:
                                                         Swagger UI's files, served here)

The modules, outside in:

    guard      every request first: the API token (but for /health and the hooks), the body cap
    bodies     JSON bodies parsed as strictly as documents (no NaN, no duplicate keys, <= 200 deep)
    params     the rules of names, labels and query values, declared and checked
    app        ``create_app``: the routers below included behind the guard, and /health
    routing    what the routers share: the catalogue (``Store``), the JSON answer, the errors
    connectors the connectors and their versions, over ``connectory.catalog.Catalog``
    vettings   the vetters' verdicts
    boards     the integrations that use versions
    hooks      the webhook route (each check before the body is read where it can be) and the
               inbox it fills
    errors     one error shape, ``{"error", "message", "location"}``, and the status of each kind
    openapi    the description: every answer declared, the token's security scheme
    docs       /docs: Swagger UI with its files served here (no CDN)

A version created by hand is checked as onboarding checks one (``connectory.validated``: its
schemas against the metaschema, its refs) and stored as a draft with those findings. With
``CONNECTORY_API_TOKEN`` set, every route but ``/health`` wants ``Authorization: Bearer <token>``,
but for the hooks of signed triggers (their signature guards them; the others take the token as
Bearer or as a Basic password); ``connectory serve`` refuses to listen beyond loopback without
one.
"""

from .app import create_app

__all__ = ["create_app"]
