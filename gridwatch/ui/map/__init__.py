"""The map: canvas, layer rendering, layers/identify/search panels."""
