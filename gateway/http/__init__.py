"""GraphQL over HTTP: the view (``view``), content negotiation (``negotiation``), the request
parameters (``params``), the status rules (``status``) and the middleware that decides who is
calling before GraphQL sees a request (``middleware``)."""
