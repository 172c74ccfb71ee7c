import marshmallow as ma


class FederationOut(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True, metadata={"description": "全称，如 石家庄市长安区快递行业工会联合会"})
    kind = ma.fields.String(dump_only=True, metadata={"description": "regional | industry"})
    scene = ma.fields.String(dump_only=True, metadata={"description": "WeChat QR scene, fed:<id>"})
    region_code = ma.fields.String(dump_only=True)
    industry_code = ma.fields.String(dump_only=True, allow_none=True)
