"""Official documents of a campaign (Nghị định 30/2020/NĐ-CP): what each says, drawn from the
campaign's own data, as DOCX (docxtpl), PDF (WeasyPrint) and XLSX (openpyxl)."""
