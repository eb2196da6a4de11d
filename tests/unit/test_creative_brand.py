"""The brand kit's [visual] table: colours, fonts and logo for creatives, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.checks.brandkit import load_brand_kit
from contentgen.creatives.brand_visuals import load_visuals, parse_visuals
from contentgen.creatives.fonts import resolve_font
from contentgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "examples" / "brand_kit.toml"


def test_the_demo_kit_reads_for_both_copy_and_creatives() -> None:
    assert load_brand_kit(KIT).name == "Northwind Outdoor"  # the text side ignores [visual]
    visual = load_visuals(KIT)
    assert visual.primary == (0x1F, 0x4D, 0x3A)
    assert visual.heading.path.name == "LiberationSans-Bold.ttf" and visual.heading.bold
    assert visual.body.path.name == "LiberationSans-Regular.ttf" and not visual.body.bold
    assert visual.logo is not None and visual.logo.is_file()
    assert visual.logo_mark is not None and visual.logo_mark.is_file()
    assert visual.text_share_limit == 0.2


def test_no_kit_gives_neutral_defaults_from_debian_fonts() -> None:
    visual = load_visuals(None)
    assert visual.heading.path.name == "DejaVuSans-Bold.ttf"
    assert visual.logo is None and visual.margin == 0.0


def test_the_digest_changes_with_the_kit(tmp_path: Path) -> None:
    first = parse_visuals({"primary": "#112233"}).sha256
    assert parse_visuals({"primary": "#112233"}).sha256 == first
    assert parse_visuals({"primary": "#112234"}).sha256 != first


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"primry": "#fff"}, "unknown key 'primry'.*valid keys: primary, accent"),
        ({"accent": "orange"}, 'accent must be a hex colour such as "#1f3a5f"'),
        ({"margin": 0.5}, "margin must be a number from 0 to 0.2"),
        ({"heading_font": "Comic Sans MS"}, "no installed font family 'Comic Sans MS'.*DejaVu"),
        ({"body_font": "DejaVu Sans:Wide"}, "has no style 'Wide' \\(styles: .*Bold"),
        ({"body_font": "fonts/missing.ttf"}, "font file .*missing.ttf does not exist"),
        ({"logo": "nowhere.png"}, "logo file .*nowhere.png does not exist"),
    ],
)
def test_a_bad_visual_table_is_a_config_error_naming_the_key(
    table: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_visuals(table, "kit.toml", tmp_path)


def test_a_logo_that_is_no_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not an image")
    with pytest.raises(ConfigError, match="logo .*logo.png is no image Pillow can read"):
        parse_visuals({"logo": "logo.png"}, "kit.toml", tmp_path)


def test_a_user_font_file_is_used_by_path(tmp_path: Path) -> None:
    font = resolve_font("DejaVu Sans:Bold").path
    (tmp_path / "brand.ttf").write_bytes(font.read_bytes())
    visual = parse_visuals({"heading_font": "brand.ttf"}, "kit.toml", tmp_path)
    assert visual.heading.path == tmp_path / "brand.ttf"


def test_a_missing_kit_file_names_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="brand kit file .* does not exist; set brand_kit"):
        load_visuals(tmp_path / "nope.toml")


def test_a_logo_mark_needs_the_logo_it_stands_in_for(tmp_path: Path) -> None:
    mark = str(ROOT / "examples" / "photos" / "northwind_mark.png")
    with pytest.raises(ConfigError, match="logo_mark needs a logo"):
        parse_visuals({"logo_mark": mark}, "kit.toml", tmp_path)
    with pytest.raises(ConfigError, match="logo_mark file .*nowhere.png does not exist"):
        parse_visuals({"logo": mark, "logo_mark": "nowhere.png"}, "kit.toml", tmp_path)
