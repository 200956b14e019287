# expect: none
import xml.dom.minidom
import xml.sax
import xml.sax.handler

BUNDLED = "<config><name>app</name></config>"


def load_config():
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    return xml.dom.minidom.parseString(BUNDLED, parser)
