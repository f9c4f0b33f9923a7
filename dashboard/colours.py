"""Which theme values may be rendered as a colour: plain CSS colour literals only, so that a visitor's
theme can never inject CSS into a page."""

import re
from typing import Any

# The colour literals a theme may carry into a page: hex, rgb()/rgba()/hsl()/hsla() with plain
# numbers, or a CSS named colour made of letters only. Anything else is not rendered as colour.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUMBER = r"\s*[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:%|deg)?\s*"
_FUNCTION_COLOUR = re.compile(rf"(?:rgba?|hsla?)\(({_NUMBER})(,{_NUMBER}){{2,3}}\)", re.IGNORECASE)
_NAMED_COLOURS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet
    brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue
    darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange
    darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise
    darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia
    gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue
    lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon
    mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue
    mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
    paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
    rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue
    slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
    whitesmoke yellow yellowgreen""".split()
)


def css_colour(value: Any) -> str | None:
    """The value if it is a plain CSS colour literal, else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    if _HEX_COLOUR.fullmatch(value) or _FUNCTION_COLOUR.fullmatch(value):
        return value
    if value.lower() in _NAMED_COLOURS:
        return value.lower()
    return None


def theme_preview(theme: dict) -> dict:
    """The colours of the widget preview: the theme's own when they are plain CSS colours."""
    return {
        "primary": css_colour(theme.get("primaryColor")) or "#2557d6",
        "background": css_colour(theme.get("backgroundColor")) or "#ffffff",
        "text": css_colour(theme.get("textColor")) or "#1d2330",
    }
