"""The GraphQL types: one declarative module per area, read from the domain at the edge;
``gateway.api`` puts them under the root types and builds the schema."""
